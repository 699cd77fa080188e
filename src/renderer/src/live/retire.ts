// Tiles of sources that were removed or reconfigured go away. The rule (which prefix a source
// writes under, what counts as removed or reconfigured) is shared with the host, which forgets
// the same metrics' history, so it lives in src/shared; retireWatch.ts applies it to the tiles.
export {
  retiredPrefixes,
  sourceKeys,
  type Retired,
  type SourceKey,
  type SourceLists,
} from '../../../shared/source-keys';

// How the API key is kept at rest. Sealed values are tagged with how they were sealed (Bruno's
// habit: `$00:` OS keychain via Electron safeStorage, `$01:` unprotected), so the backend can
// change later and an old value is still read correctly.

export interface SecretStore {
  /** 'os-keychain' when sealed by the OS; 'unprotected' when anyone with the file can read it. */
  readonly protection: 'os-keychain' | 'unprotected';
  /** Shown to the person when the key is not protected; null otherwise. */
  readonly warning: string | null;
  seal(plain: string): string;
  /** The plain value; throws when it cannot be opened (sealed on another machine or user). */
  open(sealed: string): string;
}

export const UNPROTECTED_TAG = '$01:';

function openUnprotected(sealed: string): string {
  return Buffer.from(sealed.slice(UNPROTECTED_TAG.length), 'base64').toString('utf8');
}

/** No keychain (headless mode): the key is only encoded. Say so, so the person can protect the folder. */
export class UnprotectedSecretStore implements SecretStore {
  readonly protection = 'unprotected' as const;
  constructor(
    readonly warning:
      | string
      | null = 'The API key is stored without encryption in the data folder (no OS keychain in headless mode); keep that folder private.',
  ) {}

  seal(plain: string): string {
    return UNPROTECTED_TAG + Buffer.from(plain, 'utf8').toString('base64');
  }

  open(sealed: string): string {
    if (sealed.startsWith(UNPROTECTED_TAG)) return openUnprotected(sealed);
    throw new Error(
      'the stored API key was sealed by the OS keychain, which is not available here; enter the key again',
    );
  }
}

/** Read an unprotected value whatever store is current (a backend change must not lose the key). */
export function openAnyUnprotected(sealed: string): string | null {
  return sealed.startsWith(UNPROTECTED_TAG) ? openUnprotected(sealed) : null;
}

// "Open log folder": the desktop app opens it in the file manager; a headless recorder cannot
// reach this screen's desktop, so its path is shown to copy instead.
import { useState } from 'react';
import { getBench } from '../bridge';
import { ErrorText } from './ErrorText';
import { useAction } from './useAction';

export function LogFolderButton({ testId = 'open-log-folder' }: { testId?: string }): React.JSX.Element {
  const [path, setPath] = useState<string | null>(null);
  const open = useAction(async () => {
    const r = await getBench().invoke('app.openLogFolder', {});
    setPath(r.opened ? null : r.path);
  });
  return (
    <span className="log-folder">
      <button type="button" className="button button-small" onClick={() => void open.run()} data-testid={testId}>
        Open log folder
      </button>
      {path && (
        <code className="log-folder-path" data-testid={`${testId}-path`}>
          {path}
        </code>
      )}
      <ErrorText error={open.error} testId={`${testId}-error`} />
    </span>
  );
}

// The host's error for one control, shown right next to it and announced to screen readers.
export function ErrorText({ error, testId }: { error: string | null; testId?: string }): React.JSX.Element | null {
  if (!error) return null;
  return (
    <p className="error-text" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}

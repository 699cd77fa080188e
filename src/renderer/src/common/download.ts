// Saving a file from the window: the browser downloads what a link points at when the link is
// clicked, so both the run export (a URL from the recorder) and a table's CSV (a blob made here)
// go through one such click.

/** Downloads `url` as `filename`, as if the technician had clicked a link to it. */
export function downloadUrl(url: string, filename: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

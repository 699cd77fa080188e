// A modal built on <dialog>: the browser traps focus, Esc closes it, and the rest of the window
// is inert while it is open. Children mount only while open, so forms start from fresh state.
import { useLayoutEffect, useRef, type ReactNode } from 'react';

interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: string;
  testId: string;
  children: ReactNode;
  wide?: boolean;
}

export function Modal({ open, onClose, title, testId, children, wide }: ModalProps): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  // A layout effect, so the dialog is open before children's effects move focus into it.
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'modal modal-wide' : 'modal'}
      aria-label={title}
      data-testid={testId}
      onClose={onClose}
    >
      {open && (
        <>
          <header className="modal-head">
            <h2>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
              ✕
            </button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

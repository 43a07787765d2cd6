// A modal confirmation on Fluent's Dialog: focus stays inside, Escape cancels (unless the action is under way),
// the confirm button starts with the focus as the next step after reading what will happen.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { Notice } from './Notice.js';

export interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  busy: boolean;
  /** Why the last attempt failed, in words. */
  error?: string | undefined;
  onConfirm: () => void;
  onCancel: () => void;
  /** false: there is nothing to confirm (only Close is offered). */
  canConfirm?: boolean;
  children: ReactNode;
}

export function ConfirmDialog({ title, confirmLabel, busy, error, onConfirm, onCancel, canConfirm = true, children }: ConfirmDialogProps) {
  const confirm = useRef<HTMLButtonElement>(null);
  // What had the focus when the dialog opened (the action's button) gets it back when it closes: Fluent's Dialog
  // does that only for a DialogTrigger.
  const [opener] = useState(() => document.activeElement);
  // Runs after the Dialog's own effect, which focuses the first button (Cancel).
  useEffect(() => {
    confirm.current?.focus();
    return () => {
      if (opener instanceof HTMLElement) opener.focus();
    };
  }, [opener]);

  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open && !busy) onCancel();
      }}
    >
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            {children}
            <Notice error={error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel} disabled={busy}>
              {canConfirm ? 'Cancel' : 'Close'}
            </Button>
            {canConfirm && (
              <Button ref={confirm} appearance="primary" onClick={onConfirm} disabled={busy}>
                {busy ? 'Working…' : confirmLabel}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

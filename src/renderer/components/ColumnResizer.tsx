// The grip on a column header's right edge: drag it to make the column wider or narrower (from the keyboard,
// Alt+Left/Right on the header does the same: see DataTable). The table keeps the width in tanstack's column
// sizing, remembered per table.
import type { PointerEvent } from 'react';

export const RESIZE_STEP = 16;
const MIN = 48;

export const resizedWidth = (width: number): number => Math.max(MIN, Math.round(width));

export function ColumnResizer({ onResize }: { onResize: (width: number) => void }) {
  const start = (e: PointerEvent<HTMLSpanElement>) => {
    e.preventDefault();
    const grip = e.currentTarget;
    const x = e.clientX;
    const width = grip.closest('th')!.getBoundingClientRect().width;
    grip.setPointerCapture(e.pointerId);
    const move = (m: globalThis.PointerEvent) => onResize(resizedWidth(width + m.clientX - x));
    const stop = () => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', stop);
      grip.removeEventListener('pointercancel', stop);
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', stop);
    grip.addEventListener('pointercancel', stop);
  };

  // Hidden from assistive technology: it is a pointer's handle, and the header's name stays the header's words.
  return <span className="col-resizer" aria-hidden="true" title="Drag to resize the column (Alt+arrow keys on its header)" onPointerDown={start} onClick={(e) => e.stopPropagation()} />;
}

// The context menu of a table's rows (right-click, the keyboard's menu key or Shift+F10), as in the MMC: Fluent's
// Menu on a virtual target, the pointer's position or the row's corner, so that no trigger element is needed.
import { useEffect, useRef } from 'react';
import { Menu, MenuItem, MenuList, MenuPopover, type PositioningVirtualElement } from '@fluentui/react-components';

export interface RowMenuItem {
  label: string;
  disabled?: boolean;
  onSelect: () => void;
}

export interface RowMenuAt {
  x: number;
  y: number;
  items: RowMenuItem[];
  /** What the menu is about, for its accessible name ("Actions on CX600"). */
  label: string;
}

const pointAt = (x: number, y: number): PositioningVirtualElement => ({
  getBoundingClientRect: () => ({ x, y, top: y, left: x, bottom: y, right: x, width: 0, height: 0 }),
});

/** Where a menu opened from the keyboard appears: the element's lower left corner. */
export function menuPointOf(el: Element): { x: number; y: number } {
  const r = el.getBoundingClientRect();
  return { x: r.left + 8, y: r.bottom };
}

export function RowMenu({ at, onClose }: { at: RowMenuAt; onClose: () => void }) {
  // What had the focus (the row) gets it back when the menu closes without acting.
  const opener = useRef(document.activeElement);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
  }, []);
  const close = () => {
    onClose();
    if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
  };
  return (
    <Menu open positioning={{ target: pointAt(at.x, at.y), position: 'below', align: 'start' }} onOpenChange={(_, d) => !d.open && close()}>
      <MenuPopover>
        <MenuList ref={list} aria-label={at.label}>
          {at.items.map((item) => (
            <MenuItem
              key={item.label}
              disabled={item.disabled ?? false}
              onClick={() => {
                close();
                item.onSelect();
              }}
            >
              {item.label}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

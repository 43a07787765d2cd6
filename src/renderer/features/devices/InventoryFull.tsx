// The inventory at its cap (setting inventoryMaxDevices): what that cost since it filled, and where to raise it.
// Shown on the Devices tab and the Dashboard while the server reports it full.
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { InventoryFullDto } from '../../../shared/inventory-api.js';
import { formatConsoleLink } from '../../../shared/console-link.js';
import { formatTime } from '../../format.js';
import { SETTING_FIELDS } from '../settings/setting-fields.js';

const nf = new Intl.NumberFormat();
const were = (n: number, one: string, many: string) => `${nf.format(n)} ${n === 1 ? `${one} was` : `${many} were`}`;

/** "Inventory full (250,000 phones): since …, 1,234 phones seen once were removed to make room, 56 new phones were not recorded." */
function inventoryFullText(f: InventoryFullDto): string {
  const costs = [
    f.evicted > 0 && `${were(f.evicted, 'phone seen once', 'phones seen once')} removed to make room`,
    f.refused > 0 && `${were(f.refused, 'new phone', 'new phones')} not recorded`,
  ].filter(Boolean);
  return `Inventory full (${nf.format(f.maxDevices)} phones): since ${formatTime(f.since)}, ${costs.join(' and ')}.`;
}

export function InventoryFull({ full }: { full: InventoryFullDto | null }) {
  if (!full) return null;
  return (
    <MessageBar className="notice" intent="warning" role="status" aria-labelledby={undefined}>
      <MessageBarBody>
        {inventoryFullText(full)} Raise <em>{SETTING_FIELDS.inventoryMaxDevices.label}</em> in{' '}
        <a href={formatConsoleLink({ view: 'settings', part: 'inventory' })}>Settings</a>.
      </MessageBarBody>
    </MessageBar>
  );
}

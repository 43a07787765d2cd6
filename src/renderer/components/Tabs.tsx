// The console's views on Fluent's TabList: arrow keys, Home and End move between tabs and select them
// (selectTabOnFocus); only the open panel is rendered, so each tab loads fresh data when opened.
import type { ReactNode } from 'react';
import { Tab as FluentTab, TabList } from '@fluentui/react-components';
import type { ConsoleView } from '../../shared/console-link.js';

export interface Tab {
  id: ConsoleView;
  label: string;
  render: () => ReactNode;
}

export function Tabs({ tabs, current, onChange }: { tabs: Tab[]; current: ConsoleView; onChange: (id: ConsoleView) => void }) {
  const active = tabs.find((t) => t.id === current) ?? tabs[0]!;
  return (
    <>
      <TabList
        aria-label="Views"
        className="tabs"
        size="small"
        selectTabOnFocus
        selectedValue={active.id}
        onTabSelect={(_, data) => onChange(data.value as ConsoleView)}
      >
        {tabs.map((t) => (
          <FluentTab key={t.id} id={`tab-${t.id}`} value={t.id} aria-controls={t === active ? `panel-${t.id}` : undefined}>
            {t.label}
          </FluentTab>
        ))}
      </TabList>
      <section role="tabpanel" id={`panel-${active.id}`} aria-labelledby={`tab-${active.id}`} className="panel">
        {active.render()}
      </section>
    </>
  );
}

// The signed-in console: who is signed in, Sign out, one tab per view (each loads fresh data when opened, and the
// address bar's #/view link says which is open), and the service's status line. Viewers see no change buttons.
import { useState } from 'react';
import { Badge, Button } from '@fluentui/react-components';
import type { SessionInfo } from '../shared/admin-api.js';
import { errorText, signOut } from './api.js';
import { Notice } from './components/Notice.js';
import { StatusLine } from './components/StatusLine.js';
import { Tabs, type Tab } from './components/Tabs.js';
import { ActivityTab } from './features/activity/ActivityTab.js';
import { DashboardTab } from './features/dashboard/DashboardTab.js';
import { DevicesTab } from './features/devices/DevicesTab.js';
import { PackagesTab } from './features/packages/PackagesTab.js';
import { usePackageUpload } from './features/packages/use-package-upload.js';
import { ApprovedTab } from './features/rules/ApprovedTab.js';
import { PendingTab } from './features/rules/PendingTab.js';
import { SettingsTab } from './features/settings/SettingsTab.js';
import { TestDevicesTab } from './features/test-devices/TestDevicesTab.js';
import { TroubleshootTab } from './features/troubleshoot/TroubleshootTab.js';
import { formatWhyPart, type WhyQuery } from './features/troubleshoot/why-link.js';
import { MacNotationProvider } from './mac-notation.js';
import { useConsoleLink } from './use-console-link.js';

export function Console({ session, onSignedOut }: { session: SessionInfo; onSignedOut: () => void }) {
  const [link, open] = useConsoleLink();
  const [error, setError] = useState<string>();
  const canChange = session.role === 'admin';
  // Here rather than in the Packages tab: an upload keeps going (and its outcome stays) while other tabs are open.
  const upload = usePackageUpload();

  const showPending = () => {
    open({ view: 'pending' });
    requestAnimationFrame(() => document.getElementById('tab-pending')?.focus());
  };
  // A part of a view (#/packages/purge, #/settings/logs) is opened once; closing it leaves the view's own link.
  const part = (view: Tab['id']) => (link.view === view ? link.part : undefined);
  const closePart = () => open({ view: link.view });
  const why = (q: WhyQuery) => open({ view: 'troubleshoot', part: formatWhyPart(q) });

  const tabs: Tab[] = [
    { id: 'pending', label: 'Pending Updates', render: () => <PendingTab canChange={canChange} onWhy={why} /> },
    { id: 'approved', label: 'Approved Updates', render: () => <ApprovedTab canChange={canChange} onWhy={why} /> },
    {
      id: 'packages',
      label: 'Packages',
      render: () => <PackagesTab canChange={canChange} upload={upload} onShowPending={showPending} part={part('packages')} onOpenPart={(p) => open({ view: 'packages', part: p })} onPartClosed={closePart} />,
    },
    { id: 'test-devices', label: 'Test Devices', render: () => <TestDevicesTab canChange={canChange} /> },
    {
      id: 'devices',
      label: 'Devices',
      render: () => <DevicesTab canChange={canChange} phone={part('devices')} onWhy={why} onPhone={(id) => open(id === undefined ? { view: 'devices' } : { view: 'devices', part: String(id) })} />,
    },
    { id: 'dashboard', label: 'Dashboard', render: () => <DashboardTab /> },
    { id: 'troubleshoot', label: 'Troubleshoot', render: () => <TroubleshootTab canChange={canChange} part={part('troubleshoot')} /> },
    { id: 'settings', label: 'Settings', render: () => <SettingsTab canChange={canChange} part={part('settings')} /> },
    { id: 'activity', label: 'Activity', render: () => <ActivityTab /> },
  ];

  const leave = async () => {
    try {
      await signOut();
      onSignedOut();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <MacNotationProvider>
      <header className="app-header">
        <h1>ucupdates</h1>
        <span className="user">
          Signed in as <strong>{session.username}</strong>
          {!canChange && (
            <Badge appearance="tint" color="informative">
              view only
            </Badge>
          )}
        </span>
        <Button size="small" onClick={() => void leave()}>
          Sign out
        </Button>
      </header>
      <main>
        <Notice error={error} />
        <Tabs tabs={tabs} current={link.view} onChange={(view) => open({ view })} />
      </main>
      <StatusLine />
    </MacNotationProvider>
  );
}

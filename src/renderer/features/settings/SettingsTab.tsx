// The server's settings as a form in groups. Saving sends only what changed; a refused value shows the server's
// message next to its field. Viewers see the values read-only.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Button, Text } from '@fluentui/react-components';
import type { SettingsDto } from '../../../shared/admin-api.js';
import type { SettingKey } from '../../../shared/settings.js';
import { ApiError, errorText, getSettings, updateSettings } from '../../api.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { useMacNotation } from '../../mac-notation.js';
import { useLoad } from '../../use-load.js';
import { SettingField } from './SettingField.js';
import { changedSettings, toDraft, type Draft } from './settings-draft.js';
import { SETTING_FIELDS, SETTING_GROUPS } from './setting-fields.js';

/** `part`: a group to bring into view and focus (#/settings/logs). */
export function SettingsTab({ canChange, part }: { canChange: boolean; part?: string | undefined }) {
  const loaded = useLoad(useCallback(() => getSettings(), []));
  const [settings, setSettings] = useState<SettingsDto>();
  const [draft, setDraft] = useState<Draft>();
  const [error, setError] = useState<{ field?: SettingKey | undefined; message: string }>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { setNotation } = useMacNotation();

  useEffect(() => {
    if (loaded.data) {
      setSettings(loaded.data);
      setDraft(toDraft(loaded.data));
    }
  }, [loaded.data]);

  const ready = !!settings;
  useEffect(() => {
    if (!ready || !part) return;
    const group = document.getElementById(`settings-${part}`);
    group?.scrollIntoView({ block: 'start' });
    group?.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
  }, [ready, part]);

  if (!settings || !draft) {
    return (
      <>
        <Notice error={loaded.error} />
        {loaded.loading && <Loading />}
      </>
    );
  }

  const changes = changedSettings(settings, draft);
  const changed = Object.keys(changes) as SettingKey[];

  const set = (key: SettingKey) => (value: string | boolean) => {
    setDraft({ ...draft, [key]: value });
    setStatus(undefined);
    if (error?.field === key) setError(undefined);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (changed.length === 0) return;
    setBusy(true);
    try {
      const saved = await updateSettings(changes);
      setSettings(saved);
      setDraft(toDraft(saved));
      setNotation(saved.macNotation);
      setError(undefined);
      setStatus(`Saved: ${changed.map((k) => SETTING_FIELDS[k].label).join(', ')}.`);
    } catch (err) {
      const field = err instanceof ApiError && err.field && err.field in SETTING_FIELDS ? (err.field as SettingKey) : undefined;
      setError({ field, message: errorText(err) });
      setStatus(undefined);
    } finally {
      setBusy(false);
    }
  };

  const discard = () => {
    setDraft(toDraft(settings));
    setError(undefined);
    setStatus(undefined);
  };

  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} noValidate aria-label="Settings">
      <p className="intro">
        {canChange
          ? 'Changes apply at once when saved, except ports, the console address and the HTTPS certificate: those apply after ucupdates restarts.'
          : 'You can view the settings; an administrator can change them. Ports, the console address and the HTTPS certificate apply after a restart.'}
      </p>
      {SETTING_GROUPS.map((g) => (
        <fieldset key={g.id} id={`settings-${g.id}`}>
          <legend>{g.title}</legend>
          <div className="settings-grid">
            {g.keys.map((key) => (
              <SettingField
                key={key}
                name={key}
                value={draft[key]}
                stored={settings[key]}
                readOnly={!canChange}
                error={error?.field === key ? error.message : undefined}
                onChange={set(key)}
              />
            ))}
          </div>
        </fieldset>
      ))}
      {canChange && (
        <div className="form-actions">
          <Button type="submit" size="small" appearance="primary" disabled={busy || changed.length === 0}>
            {busy ? 'Saving…' : 'Save Changes'}
          </Button>
          <Button size="small" disabled={busy || changed.length === 0} onClick={discard}>
            Discard
          </Button>
          <Text size={200} className="muted" aria-live="polite">
            {changed.length === 0 ? 'No unsaved changes.' : `${changed.length} unsaved ${changed.length === 1 ? 'change' : 'changes'}.`}
          </Text>
          <Notice error={error && (error.field ? `Nothing was saved: see ${SETTING_FIELDS[error.field].label}.` : error.message)} status={status} />
        </div>
      )}
    </form>
  );
}

// One line of feedback: an error (announced at once) or the outcome of a change (announced politely).
// The roles are set here: a Fluent MessageBar is a "group" and announces only its first text.
import { MessageBar, MessageBarBody } from '@fluentui/react-components';

export function Notice({ error, status }: { error?: string | undefined; status?: string | undefined }) {
  const text = error ?? status;
  if (!text) return null;
  return (
    <MessageBar
      className="notice"
      intent={error ? 'error' : 'success'}
      role={error ? 'alert' : 'status'}
      aria-labelledby={undefined}
    >
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  );
}

// What a view shows while its data is on the way: Fluent's spinner, with its words for screen readers.
import { Spinner } from '@fluentui/react-components';

export function Loading() {
  return <Spinner className="loading" size="extra-tiny" labelPosition="after" label="Loading…" />;
}

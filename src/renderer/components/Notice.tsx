// One line of feedback: an error (announced at once) or the outcome of a change (announced politely).
export function Notice({ error, status }: { error?: string | undefined; status?: string | undefined }) {
  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (status) {
    return (
      <p className="notice ok" role="status">
        {status}
      </p>
    );
  }
  return null;
}

// Errors from the worker, shown as readable messages with what to do, until dismissed.
import { useApp } from '../AppContext.tsx';

export function ErrorToasts() {
  const errors = useApp((s) => s.errors);
  const dismiss = useApp((s) => s.dismiss);
  if (errors.length === 0) return null;
  return (
    <div className="toasts" role="alert" aria-live="assertive">
      {errors.map((e) => (
        <div key={e.id} className={`toast toast-${e.code}`} data-code={e.code}>
          <p className="message">{e.message}</p>
          {e.hint && <p className="hint">{e.hint}</p>}
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(e.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

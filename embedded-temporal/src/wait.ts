/**
 * Resolves once `ready()` holds (checked now and after every change that
 * `subscribe` reports), after `timeoutMs`, or when the call is cancelled —
 * whichever comes first. Long polls (history, update stages) use it; they
 * answer with whatever state they find, so it never rejects.
 */
export function waitUntil(
  ready: () => boolean,
  subscribe: (listener: () => void) => () => void,
  timeoutMs: number,
  onCancelled: (cb: () => void) => void,
): Promise<void> {
  if (ready() || timeoutMs <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const unsubscribe = subscribe(() => {
      if (ready()) finish();
    });
    const timer = setTimeout(finish, timeoutMs);
    onCancelled(finish);
  });
}

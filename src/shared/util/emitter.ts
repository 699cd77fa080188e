// The one typed event emitter of the app (client, host, devices, plugins and the window's bridge).
// Unlike Node's EventEmitter, an 'error' event with no listener is not thrown: a telemetry client
// must never crash its host because nobody subscribed. A listener that throws does not stop the
// others or the emitter's own bookkeeping, but it is reported (a swallowed error is a hidden bug):
// to the emitter's `onListenerError` when given, else to the process-wide reporter, which the host
// points at its log file.

export type Listener<T> = (payload: T) => void;
export type ListenerErrorReporter = (error: unknown, event: string) => void;

let defaultReporter: ListenerErrorReporter = (error, event) => {
  console.error(`a listener of "${event}" failed:`, error);
};

/** Where listener errors go when an emitter has no reporter of its own (e.g. the app log). */
export function reportListenerErrorsTo(reporter: ListenerErrorReporter): void {
  defaultReporter = reporter;
}

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError?: ListenerErrorReporter) {}

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Subscribe for one event only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (p) => {
      off();
      listener(p);
    });
    return off;
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const l of [...set]) {
      try {
        (l as Listener<Events[K]>)(payload);
      } catch (error) {
        const report = this.onListenerError ?? defaultReporter;
        try {
          report(error, String(event));
        } catch {
          // the reporter itself failed (e.g. a closed log): nothing better can be done here
        }
      }
    }
  }

  protected hasListeners(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }
}

/**
 * An emitter whose `emit` is public, for objects that hold one rather than extend it (a class
 * that already extends something else, or a bridge that relays events it receives).
 */
export class EventHub<Events extends object> extends TypedEmitter<Events> {
  override emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    super.emit(event, payload);
  }
}

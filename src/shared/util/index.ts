// Small dependency-free helpers every layer uses (no Node or browser APIs beyond timers), so the
// client, devices, plugins, host and the window share one implementation of each.
export { Backoff, type BackoffOptions } from './backoff';
export { EventHub, TypedEmitter, reportListenerErrorsTo, type Listener, type ListenerErrorReporter } from './emitter';
export { errorMessage } from './error-message';
export { positive } from './options';
export { sleep } from './sleep';

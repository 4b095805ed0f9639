// The workflow bundle's entry point: every workflow the worker runs is exported from here, one
// line per module (a module never re-exports another, so no two workflow files import each other).
export * from './smartengage/campaign';
export * from './smartengage/scheduled';
export * from './smartengage/reengagement';
export * from './coachnova/session';
export * from './replies/understand';

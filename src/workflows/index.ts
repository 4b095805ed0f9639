// The workflow bundle's entry point: every workflow the worker runs is exported from here.
export * from './smartengage/campaign';
export * from './smartengage/reengagement';
export * from './coachnova/session';

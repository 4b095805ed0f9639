import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function unsubscribeRouter(_deps: ApiDeps): Router {
  return Router();
}

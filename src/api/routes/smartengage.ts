import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function smartengageRouter(_deps: ApiDeps): Router {
  return Router();
}

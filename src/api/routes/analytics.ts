import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function analyticsRouter(_deps: ApiDeps): Router {
  return Router();
}

import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function linksRouter(_deps: ApiDeps): Router {
  return Router();
}

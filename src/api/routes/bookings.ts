import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function bookingsRouter(_deps: ApiDeps): Router {
  return Router();
}

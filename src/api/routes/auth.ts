import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function authRouter(_deps: ApiDeps): Router {
  return Router();
}

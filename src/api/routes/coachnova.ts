import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function coachnovaRouter(_deps: ApiDeps): Router {
  return Router();
}

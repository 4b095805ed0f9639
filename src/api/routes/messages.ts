import { Router } from 'express';
import type { ApiDeps } from '../deps';

export function messagesRouter(_deps: ApiDeps): Router {
  return Router();
}

import { createContext, useContext } from 'react';
import type { Call } from './api';
import type { ConsoleSettings as Settings } from '../../src/console/schemas';

export interface Session {
  token: string;
  email: string;
  name: string;
  expiresAt: number;
}

export type { ConsoleSettings as Settings } from '../../src/console/schemas';

export const CallContext = createContext<Call>(() => Promise.reject(new Error('not signed in')));
export const SettingsContext = createContext<Settings | null>(null);

export const useCall = () => useContext(CallContext);

/** A run's page in the Temporal UI. */
export function useRunUrl(): (workflowId: string) => string | null {
  const settings = useContext(SettingsContext);
  return (workflowId) => (settings ? `${settings.temporal_ui_url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null);
}

import { useState, type FormEvent } from 'react';
import { useCall, type Session } from '../session';
import { Errors } from '../components';

interface TokenAnswer {
  access_token: string;
  expires_in: number;
  user: { email: string; full_name: string; role: string };
}

/** Email → 6-digit code by mail → operator token. Other roles are refused here (and by the API). */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const call = useCall();
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'email' | 'code'>('email');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const requestCode = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('/auth/request-otp', { body: { email } });
      setStep('code');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await call<TokenAnswer>('/auth/verify-otp', { body: { email, otp: code } });
      if (answer.user.role !== 'operator') throw new Error('This console is for operators only.');
      onSignedIn({ token: answer.access_token, email: answer.user.email, name: answer.user.full_name, expiresAt: Date.now() + answer.expires_in * 1000 });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <h1>ShoktiAI operator console</h1>
      {notice && <p role="status" className="notice">{notice}</p>}
      {step === 'email' ? (
        <form onSubmit={requestCode}>
          <label htmlFor="email">Operator email</label>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" disabled={busy}>Email me a code</button>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p>If {email} belongs to an account, a 6-digit code is on its way.</p>
          <label htmlFor="otp">Code from the email</label>
          <input id="otp" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value.trim())} />
          <button type="submit" disabled={busy}>Sign in</button>
          <button type="button" className="link" onClick={() => setStep('email')}>Use another address</button>
        </form>
      )}
      <Errors error={error} />
    </main>
  );
}

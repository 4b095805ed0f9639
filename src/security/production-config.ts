import { createHash } from 'node:crypto';

/**
 * Secrets published in this repository (the dev-only defaults of earlier versions, the test and
 * benchmark keys, the README's example key), by SHA-256: a deployment configured with one of them
 * is refused as if it had none.
 */
const PUBLISHED_SECRET_HASHES = new Set([
  '52e11cc3b47b76779cb33942181857e64fa01e5d37fcd39dc392a2be0f69d9de', // the old JWT_SECRET default
  'b73bb70d23a5e3cb88f55b914a00cc2e6ffff07aa94e1bb006887aedd63370c8', // the old DEEPLINK_SECRET default
  '22e2562e1cbb9a827f55210113baddddc92fa25f87a1c8555c6ec4953a28a10b', // test/helpers/system.ts
  '1d3cb66a0ec1a33e89b2392e56e5fb92a5a8449276fb0b1a51fae49b3b1f94cc', // bench/lib/stack.ts
  'dbfbfc65f58bfa2d56ec5a051faad4f4b52bfaae0f50b53c7514e7daaef5ba65', // bench/lib/stack.ts
  '890a37845af0ea80f3223c21f12ed4865e978c0680197963475a3a11bcb8e8d8', // bench/lib/stack.ts
  '55e08b15358412d3af316481c6a56d8b6b25262cc98b09af959287174a615dbc', // README example
]);

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface ProductionSettings {
  JWT_SECRET?: string;
  DEEPLINK_SECRET?: string;
  PAYLOAD_CODEC_KEY?: string;
  INTERNAL_API_KEY?: string;
  PUBLIC_BASE_URL?: string;
}

const REQUIRED: Array<[keyof ProductionSettings, string]> = [
  ['JWT_SECRET', 'signs access tokens and keys OTP hashes'],
  ['DEEPLINK_SECRET', 'signs deep links, unsubscribe and reply tokens'],
  ['PAYLOAD_CODEC_KEY', 'encrypts Temporal payloads (32 bytes, base64)'],
  ['INTERNAL_API_KEY', 'authenticates /internal/* callers (x-api-key)'],
  ['PUBLIC_BASE_URL', "this API's public address, put in every link we mail"],
];

/**
 * What stops a production start (NODE_ENV=production): each required variable unset, and each
 * secret set to a value published in the repository. One line per variable, named.
 */
export function productionProblems(settings: ProductionSettings): string[] {
  const problems: string[] = [];
  for (const [name, why] of REQUIRED) {
    const value = settings[name];
    if (!value) problems.push(`  ${name}: required in production (${why})`);
    else if (PUBLISHED_SECRET_HASHES.has(sha256Hex(value))) problems.push(`  ${name}: a dev-only value published in the repository; set a secret of your own`);
  }
  return problems;
}

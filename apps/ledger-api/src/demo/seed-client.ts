import type { PlannedComplaint } from './demo-year';

/**
 * Keeps a client under the service's rate limit, as a well-behaved housing system does: requests
 * are spaced to 90 % of the limit the service announces (`X-RateLimit-Limit`, per minute), across
 * every concurrent sender; a 429 is waited out (`Retry-After`) and the request sent again.
 */
class Pace {
  private intervalMs = 0;
  private nextAt = 0;
  /** Until the first answer says what the limit is, one request at a time. */
  private probe: Promise<void> | null = null;
  private learned: () => void = () => undefined;

  learn(response: Response): void {
    const limit = Number(response.headers.get('x-ratelimit-limit'));
    if (limit > 0) this.intervalMs = 60_000 / (limit * 0.9);
    this.learned();
  }

  async slot(): Promise<void> {
    if (!this.probe) {
      this.probe = new Promise((resolve) => (this.learned = resolve));
      return;
    }
    await this.probe;
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await sleep(at - now);
  }
}

/** Why nothing answered, in a sentence naming where it looked (fetch says only "fetch failed"). */
function unreachable(baseUrl: string, error: Error): Error {
  const cause = (error.cause as { code?: string; message?: string } | undefined) ?? {};
  return new Error(
    `no ledger answered at ${baseUrl} (${cause.code ?? cause.message ?? error.message}): start it with npm start, and give this the port it listens on (PORT, as the server takes it) or DEMO_LEDGER_URL`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a planned year to a running ledger through its public API, as a housing system would:
 * each complaint's commands in order, several complaints at once, paced to the rate limit. Steps
 * dated after `now` are left for later (the ledger refuses instants in the future).
 */
export async function seedThroughApi(
  baseUrl: string,
  apiKey: string,
  plan: readonly PlannedComplaint[],
  now = new Date().toISOString(),
): Promise<string[]> {
  const today = now.slice(0, 10);
  const pace = new Pace();
  const send = async (path: string, init: RequestInit = {}): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      await pace.slot();
      const response = await fetch(`${baseUrl}/v1/complaints${path}`, { ...init, headers: { ...init.headers, 'x-api-key': apiKey } }).catch(
        (error: Error) => {
          throw unreachable(baseUrl, error);
        },
      );
      pace.learn(response);
      if (response.status !== 429 || attempt === 5) return response;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
    }
  };
  const post = async (path: string, body: object) => {
    const response = await send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST /v1/complaints${path} → ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const ids: string[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const complaint = plan[i]!;
      if (complaint.receivedOn >= today) continue;
      const { id } = await post('', complaint.receive);
      ids[i] = id;
      for (const step of complaint.steps) {
        if (step.on >= today) break;
        let path = `/${id}/${step.path}`;
        if (step.kind === 'completeRemedy') {
          const view = await send(`/${id}`);
          const { remedies } = (await view.json()) as { remedies: { remedyId: string }[] };
          path = `/${id}/remedies/${remedies[step.remedyIndex!]!.remedyId}/completion`;
        }
        await post(path, step.body);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

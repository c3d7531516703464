import type { PlannedComplaint } from './demo-year';

/**
 * Sends a planned year to a running ledger through its public API, as a housing system would:
 * each complaint's commands in order, several complaints at once. Steps dated after `now` are
 * left for later (the ledger refuses instants in the future).
 */
export async function seedThroughApi(
  baseUrl: string,
  apiKey: string,
  plan: readonly PlannedComplaint[],
  now = new Date().toISOString(),
): Promise<string[]> {
  const today = now.slice(0, 10);
  const post = async (path: string, body: object) => {
    const response = await fetch(`${baseUrl}/v1/complaints${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
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
          const view = await fetch(`${baseUrl}/v1/complaints/${id}`, { headers: { 'x-api-key': apiKey } });
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

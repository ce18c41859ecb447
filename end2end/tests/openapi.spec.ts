import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';

// The OpenAPI document the server generates from its handlers: valid for the version it
// declares, and true to what the read API answers.

const token = () => readFileSync('.data/token', 'utf8').trim();

test('the served OpenAPI document passes a standard validator', async ({ request }) => {
  const res = await request.get('/api/v1/openapi.json');
  expect(res.status()).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toBe('3.1.0');
  // Throws with every violation of the OpenAPI 3.1 schema and every unresolved $ref.
  await SwaggerParser.validate(structuredClone(doc));
});

test('the read API answers as its documented schemas say', async ({ request }) => {
  const doc = await (await request.get('/api/v1/openapi.json')).json();
  const auth = { Authorization: `Bearer ${token()}` };
  const at = new Date(Date.now() - 60_000).toISOString();
  const n = Date.now();
  const posted = await request.post('/api/v1/events', {
    headers: auth,
    data: [
      { id: `oa-q-${n}`, type: 'queue.upserted', at, queue_id: 'oa-support', name: 'Support', channels: ['chat'] },
      { id: `oa-a-${n}`, type: 'agent.upserted', at, agent_id: 'oa-ann', name: 'Ann', queues: ['oa-support'] },
      { id: `oa-c-${n}`, type: 'conversation.created', at, conversation_id: `oa-c-${n}`, queue_id: 'oa-support', channel: 'chat', customer: { id: 'k', name: 'K' } },
    ],
  });
  expect(posted.status()).toBe(200);

  // Formats (int64, double, date-time) are OpenAPI's annotations here, not checks.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  for (const path of ['/api/v1/kpis', '/api/v1/conversations', '/api/v1/agents', '/api/v1/kpis/history']) {
    const schema = doc.paths[path].get.responses['200'].content['application/json'].schema;
    const validate = ajv.compile({ ...schema, components: doc.components });
    const res = await request.get(path, { headers: auth });
    expect(res.status(), path).toBe(200);
    const body = await res.json();
    expect(validate(body) ? [] : validate.errors, path).toEqual([]);
  }
});

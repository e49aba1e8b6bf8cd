// Placeholder so the stack can synthesize while the handler is being written; replaced by the handler work.
export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' });

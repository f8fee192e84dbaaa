import OpenAI from 'openai';
import type { OpenAiEndpointConfig } from '../../config/types.ts';
import { ConfigError, ProviderError } from '../../gateway/errors.ts';

/**
 * Builds an `openai` REST client for one provider the way the package itself would from the
 * environment (OPENAI_API_KEY, OPENAI_BASE_URL), with the per-provider overrides of the config on
 * top. REST clients keep an http:// base URL as is, so any OpenAI-compatible server (or the test
 * fakes) can stand in.
 */
export function openAiClient(cfg: OpenAiEndpointConfig, keyPath: string, env: NodeJS.ProcessEnv = process.env): OpenAI {
  const apiKey = env[cfg.apiKeyEnv];
  if (!apiKey) throw new ConfigError(`${keyPath}.apiKeyEnv`, `the environment variable ${cfg.apiKeyEnv} is not set`, `export ${cfg.apiKeyEnv}=… or choose another agent`);
  const baseURL = cfg.baseUrl ?? env.OPENAI_BASE_URL ?? undefined;
  return new OpenAI({ apiKey, ...(baseURL ? { baseURL } : {}), timeout: cfg.timeoutMs, maxRetries: cfg.maxRetries });
}

/** Maps anything the client throws to a ProviderError that says whether to try again. */
export function toProviderError(provider: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    // 408/409/429/5xx and connection failures are worth another try (the client's own rule).
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    return new ProviderError(provider, `${provider} request failed${status ? ` with status ${status}` : ''}`, retryable, { cause: err });
  }
  return new ProviderError(provider, `${provider} request failed`, true, { cause: err });
}

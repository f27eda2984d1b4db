import type { Clock } from '../../platform/clock.ts';
import type { AutoRepliesRepository } from './repository.ts';
import { CompiledRules, validateRule, type AutoReplyInput, type AutoReplyRule } from './rules.ts';

export interface AutoReplyServiceDeps {
  readonly repository: AutoRepliesRepository;
  readonly clock: Clock;
  /**
   * How long compiled rules are trusted before they are read again (ms). Edits made
   * here apply at once; edits made through another instance within this time.
   */
  readonly refreshMs?: number;
}

const DEFAULT_REFRESH_MS = 10_000;

/**
 * Staff-defined keyword auto-replies: checked when saved, compiled once, and tried on
 * every text a reader sends before anything else answers it.
 *
 * @example
 * const rule = await autoReplies.create({ matchType: 'contains', pattern: 'wifi', priority: 0,
 *   reply: { type: 'text', content: 'Wi-Fi：SHULIN，密码见服务台' } });
 * (await autoReplies.match('wifi 密码是多少'))?.id === rule.id; // true
 */
export class AutoReplyService {
  readonly #deps: AutoReplyServiceDeps;
  #compiled: { rules: CompiledRules; at: number } | null = null;
  #loading: Promise<CompiledRules> | null = null;
  #generation = 0;

  constructor(deps: AutoReplyServiceDeps) {
    this.#deps = deps;
  }

  list(): Promise<AutoReplyRule[]> {
    return this.#deps.repository.list();
  }

  get(id: number): Promise<AutoReplyRule | null> {
    return this.#deps.repository.get(id);
  }

  /** Throws AutoReplyRuleError when the rule is not acceptable. */
  async create(input: AutoReplyInput): Promise<AutoReplyRule> {
    validateRule(input);
    const rule = await this.#deps.repository.create(input, this.#deps.clock.now());
    this.#invalidate();
    return rule;
  }

  /** Null when there is no such rule. Throws AutoReplyRuleError like `create`. */
  async update(id: number, input: AutoReplyInput): Promise<AutoReplyRule | null> {
    validateRule(input);
    const rule = await this.#deps.repository.update(id, input, this.#deps.clock.now());
    this.#invalidate();
    return rule;
  }

  async delete(id: number): Promise<boolean> {
    const deleted = await this.#deps.repository.delete(id);
    this.#invalidate();
    return deleted;
  }

  /** The rule that answers this message, best priority first, or null. */
  async match(message: string): Promise<AutoReplyRule | null> {
    return (await this.#rules()).match(message);
  }

  #invalidate(): void {
    this.#compiled = null;
    this.#loading = null;
    this.#generation++;
  }

  async #rules(): Promise<CompiledRules> {
    const now = this.#deps.clock.now();
    const refreshMs = this.#deps.refreshMs ?? DEFAULT_REFRESH_MS;
    if (this.#compiled && now - this.#compiled.at < refreshMs) return this.#compiled.rules;
    if (!this.#loading) {
      const generation = this.#generation;
      const loading = this.#deps.repository.list().then((rows) => {
        const rules = new CompiledRules(rows);
        // A write while this read was running has made it stale: use it once, keep it not.
        if (generation === this.#generation) this.#compiled = { rules, at: now };
        return rules;
      });
      this.#loading = loading;
      void loading.then(
        () => {
          if (this.#loading === loading) this.#loading = null;
        },
        () => {
          if (this.#loading === loading) this.#loading = null;
        },
      );
    }
    return this.#loading;
  }
}

/**
 * Runs once before the suite. Under CI the PostgreSQL and Redis tiers are
 * mandatory: a run without them would pass while testing only half the product.
 */
export default function setup(): void {
  if (process.env.CI === 'true') {
    const missing = ['TEST_DATABASE_URL', 'TEST_REDIS_URL'].filter((name) => !process.env[name]);
    if (missing.length > 0) {
      throw new Error(
        `CI=true but ${missing.join(' and ')} not set: the PostgreSQL/Redis test tiers would be skipped`,
      );
    }
  }
}

DROP INDEX "idempotency_keys_resource_idx";--> statement-breakpoint
CREATE INDEX "idempotency_keys_resource_scope_idx" ON "idempotency_keys" USING btree ("resource_id","scope");
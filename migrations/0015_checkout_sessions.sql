ALTER TABLE "payments" ADD COLUMN "checkout_session_id" varchar(255);--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_checkout_session_id_unique" UNIQUE("checkout_session_id");
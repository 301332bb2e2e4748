CREATE TYPE "public"."reconciliation_discrepancy_status" AS ENUM('open', 'resolved', 'cleared');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_kind" AS ENUM('paid_without_booking', 'missing_at_stripe', 'amount_mismatch', 'currency_mismatch', 'refund_owed_not_made', 'refund_without_cause', 'dispute_open', 'dispute_won', 'dispute_lost', 'payout_mismatch', 'payout_failed');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_run_status" AS ENUM('queued', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "refund_decisions" (
	"booking_id" uuid PRIMARY KEY NOT NULL,
	"rule" varchar(40) NOT NULL,
	"reason" varchar(500) NOT NULL,
	"policy_amount_cents" integer NOT NULL,
	"amount_cents" integer NOT NULL,
	"decided_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"overridden_by_staff_id" uuid,
	"overridden_at" timestamp (3) with time zone,
	"override_comment" varchar(2000),
	CONSTRAINT "refund_decisions_amounts" CHECK ("refund_decisions"."amount_cents" >= 0 and "refund_decisions"."policy_amount_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"booking_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"route_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"outcome" varchar(10) NOT NULL,
	"reason" varchar(40),
	"price_cents" integer NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "delivery_attempts_booking_id_attempt_pk" PRIMARY KEY("booking_id","attempt"),
	CONSTRAINT "delivery_attempts_price" CHECK ("delivery_attempts"."price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "stripe_disputes" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"charge_id" varchar(255),
	"payment_intent_id" varchar(255),
	"amount_cents" bigint NOT NULL,
	"currency" varchar(3) NOT NULL,
	"status" varchar(40) NOT NULL,
	"reason" varchar(60) NOT NULL,
	"stripe_created_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_refunds" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"charge_id" varchar(255),
	"payment_intent_id" varchar(255),
	"amount_cents" bigint NOT NULL,
	"currency" varchar(3) NOT NULL,
	"status" varchar(20) NOT NULL,
	"reason" varchar(60),
	"metadata_refund_id" varchar(100),
	"metadata_booking_id" varchar(100),
	"stripe_created_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_discrepancies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_key" varchar(300) NOT NULL,
	"kind" "reconciliation_kind" NOT NULL,
	"status" "reconciliation_discrepancy_status" DEFAULT 'open' NOT NULL,
	"booking_id" uuid,
	"office_id" uuid,
	"kassenzeichen" varchar(40),
	"stripe_object_id" varchar(255),
	"expected_amount_cents" bigint,
	"actual_amount_cents" bigint,
	"currency" varchar(3),
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"facts_hash" varchar(64) NOT NULL,
	"subject_at" timestamp (3) with time zone NOT NULL,
	"first_run_id" uuid NOT NULL,
	"last_run_id" uuid NOT NULL,
	"first_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolved_by_staff_id" uuid,
	"resolution_comment" varchar(2000),
	"resolved_facts_hash" varchar(64),
	CONSTRAINT "reconciliation_discrepancies_subject_key_unique" UNIQUE("subject_key")
);
--> statement-breakpoint
CREATE TABLE "reconciliation_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" "reconciliation_run_status" DEFAULT 'queued' NOT NULL,
	"requested_by" varchar(100) NOT NULL,
	"range_from" timestamp (3) with time zone NOT NULL,
	"range_to" timestamp (3) with time zone NOT NULL,
	"phase" varchar(40),
	"steps_done" integer DEFAULT 0 NOT NULL,
	"steps_total" integer DEFAULT 0 NOT NULL,
	"totals" jsonb,
	"error" varchar(1000),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	CONSTRAINT "reconciliation_runs_range" CHECK ("reconciliation_runs"."range_from" < "reconciliation_runs"."range_to")
);
--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "refund_rules" jsonb DEFAULT '{"faultByReason":{"not_home":"citizen","refused":"citizen","identity_mismatch":"citizen","address_not_found":"courier","other":"courier","not_reported":"courier"},"citizenFault":"none"}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "finance_accounts" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_balance_transactions" ADD COLUMN "charge_id" varchar(255);--> statement-breakpoint
ALTER TABLE "stripe_balance_transactions" ADD COLUMN "payment_intent_id" varchar(255);--> statement-breakpoint
ALTER TABLE "stripe_balance_transactions" ADD COLUMN "metadata_booking_id" varchar(100);--> statement-breakpoint
ALTER TABLE "stripe_balance_transactions" ADD COLUMN "metadata_kassenzeichen" varchar(40);--> statement-breakpoint
ALTER TABLE "refund_decisions" ADD CONSTRAINT "refund_decisions_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_discrepancies" ADD CONSTRAINT "reconciliation_discrepancies_first_run_id_reconciliation_runs_id_fk" FOREIGN KEY ("first_run_id") REFERENCES "public"."reconciliation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_discrepancies" ADD CONSTRAINT "reconciliation_discrepancies_last_run_id_reconciliation_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."reconciliation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delivery_attempts_company_idx" ON "delivery_attempts" USING btree ("company_id","occurred_at");--> statement-breakpoint
CREATE INDEX "stripe_disputes_payment_intent_idx" ON "stripe_disputes" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "stripe_refunds_payment_intent_idx" ON "stripe_refunds" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "stripe_refunds_created_idx" ON "stripe_refunds" USING btree ("stripe_created_at");--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_list_idx" ON "reconciliation_discrepancies" USING btree ("status","kind","first_seen_at");--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_subject_at_idx" ON "reconciliation_discrepancies" USING btree ("subject_at");--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_booking_idx" ON "reconciliation_discrepancies" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "reconciliation_runs_created_idx" ON "reconciliation_runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stripe_bt_payment_intent_idx" ON "stripe_balance_transactions" USING btree ("payment_intent_id");
CREATE TYPE "public"."payment_issue_handling" AS ENUM('hold', 'automatic');--> statement-breakpoint
CREATE TYPE "public"."hold_reason" AS ENUM('payment_mismatch', 'refunded_at_stripe', 'dispute');--> statement-breakpoint
CREATE TYPE "public"."payment_discrepancy_kind" AS ENUM('amount_mismatch', 'currency_mismatch', 'metadata_mismatch', 'unknown_payment_intent', 'refund_outside_platform', 'dispute_opened', 'dispute_lost');--> statement-breakpoint
CREATE TABLE "office_closures" (
	"office_id" uuid NOT NULL,
	"date" date NOT NULL,
	"reason" varchar(200) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "office_closures_office_id_date_pk" PRIMARY KEY("office_id","date")
);
--> statement-breakpoint
CREATE TABLE "booking_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"reason" "hold_reason" NOT NULL,
	"placed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	"released_by" varchar(300),
	"resolution" varchar(40),
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "payment_discrepancies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dedupe_key" varchar(300) NOT NULL,
	"kind" "payment_discrepancy_kind" NOT NULL,
	"payment_id" uuid,
	"booking_id" uuid,
	"office_id" uuid,
	"kassenzeichen" varchar(40),
	"stripe_object_id" varchar(255),
	"expected_amount_cents" integer,
	"actual_amount_cents" integer,
	"expected_currency" varchar(3),
	"actual_currency" varchar(3),
	"action" varchar(20) NOT NULL,
	"hold_id" uuid,
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"detected_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" varchar(300),
	"resolution_comment" text,
	CONSTRAINT "payment_discrepancies_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "payment_disputes" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"payment_id" uuid NOT NULL,
	"booking_id" uuid NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" varchar(3) NOT NULL,
	"reason" varchar(100) NOT NULL,
	"status" varchar(40) NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_refund_bounds";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "refunds" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "refunds" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "state" varchar(2) DEFAULT 'BW' NOT NULL;--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "delivery_hours" jsonb DEFAULT '{"mon":[{"start":"08:00","end":"20:00"}],"tue":[{"start":"08:00","end":"20:00"}],"wed":[{"start":"08:00","end":"20:00"}],"thu":[{"start":"08:00","end":"20:00"}],"fri":[{"start":"08:00","end":"20:00"}],"sat":[{"start":"09:00","end":"14:00"}],"sun":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "postal_codes" varchar(5)[] DEFAULT '{}'::varchar[] NOT NULL;--> statement-breakpoint
ALTER TABLE "offices" ADD COLUMN "payment_issue_handling" "payment_issue_handling" DEFAULT 'hold' NOT NULL;--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "postal_code" varchar(5);--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "city" varchar(80);--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "address_hash" varchar(64);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "amount_received_cents" integer;--> statement-breakpoint
ALTER TABLE "office_closures" ADD CONSTRAINT "office_closures_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_holds" ADD CONSTRAINT "booking_holds_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_discrepancies" ADD CONSTRAINT "payment_discrepancies_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_discrepancies" ADD CONSTRAINT "payment_discrepancies_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_discrepancies" ADD CONSTRAINT "payment_discrepancies_hold_id_booking_holds_id_fk" FOREIGN KEY ("hold_id") REFERENCES "public"."booking_holds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_disputes" ADD CONSTRAINT "payment_disputes_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_disputes" ADD CONSTRAINT "payment_disputes_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_holds_booking_idx" ON "booking_holds" USING btree ("booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "booking_holds_open_uq" ON "booking_holds" USING btree ("booking_id","reason") WHERE "booking_holds"."released_at" is null;--> statement-breakpoint
CREATE INDEX "payment_discrepancies_open_idx" ON "payment_discrepancies" USING btree ("detected_at") WHERE "payment_discrepancies"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "payment_discrepancies_booking_idx" ON "payment_discrepancies" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "payment_disputes_payment_idx" ON "payment_disputes" USING btree ("payment_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_bounds" CHECK ("payments"."amount_refunded_cents" between 0 and greatest("payments"."amount_cents", coalesce("payments"."amount_received_cents", 0)));
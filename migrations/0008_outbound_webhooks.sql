CREATE TYPE "public"."outbound_event_status" AS ENUM('pending', 'delivered', 'dead');--> statement-breakpoint
CREATE TABLE "outbound_events" (
	"id" varchar(64) PRIMARY KEY NOT NULL,
	"company_id" uuid NOT NULL,
	"type" varchar(64) NOT NULL,
	"subject_id" varchar(64),
	"data" jsonb NOT NULL,
	"status" "outbound_event_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"enqueued_at" timestamp (3) with time zone,
	"next_attempt_at" timestamp (3) with time zone,
	"last_status_code" integer,
	"last_error" varchar(200),
	"delivered_at" timestamp with time zone,
	"dead_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"seq" integer GENERATED ALWAYS AS IDENTITY (sequence name "outbound_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	CONSTRAINT "outbound_events_attempts" CHECK ("outbound_events"."attempts" >= 0 and "outbound_events"."round" >= 0)
);
--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" varchar(64) NOT NULL,
	"attempt_no" integer NOT NULL,
	"round" integer NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"latency_ms" integer NOT NULL,
	"status_code" integer,
	"outcome" varchar(16) NOT NULL,
	"error" varchar(200),
	"response_excerpt" varchar(1024)
);
--> statement-breakpoint
ALTER TABLE "courier_companies" ADD COLUMN "webhook_disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "courier_companies" ADD COLUMN "webhook_disabled_reason" varchar(200);--> statement-breakpoint
ALTER TABLE "outbound_events" ADD CONSTRAINT "outbound_events_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_event_id_outbound_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."outbound_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbound_events_company_idx" ON "outbound_events" USING btree ("company_id","created_at");--> statement-breakpoint
CREATE INDEX "outbound_events_pending_idx" ON "outbound_events" USING btree ("seq") WHERE "outbound_events"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbound_events_status_idx" ON "outbound_events" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_attempts_event_no_idx" ON "webhook_attempts" USING btree ("event_id","attempt_no");
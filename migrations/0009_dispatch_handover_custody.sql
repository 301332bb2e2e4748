CREATE TYPE "public"."route_dispatch_status" AS ENUM('draft', 'offered', 'accepted', 'unstaffed', 'handed_over', 'started', 'completed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."custody_holder" AS ENUM('office', 'courier', 'citizen');--> statement-breakpoint
CREATE TYPE "public"."route_offer_status" AS ENUM('open', 'accepted', 'declined', 'expired', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."handover_kind" AS ENUM('handover', 'return');--> statement-breakpoint
CREATE TYPE "public"."handover_status" AS ENUM('started', 'confirmed', 'superseded');--> statement-breakpoint
CREATE TABLE "custody_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"booking_id" uuid NOT NULL,
	"from_holder" "custody_holder",
	"to_holder" "custody_holder" NOT NULL,
	"event" varchar(40) NOT NULL,
	"route_id" uuid,
	"courier_company_id" uuid,
	"courier_ref" varchar(100),
	"courier_name" varchar(200),
	"staff_ids" uuid[] NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"prev_hash" varchar(64) NOT NULL,
	"hash" varchar(64) NOT NULL,
	CONSTRAINT "custody_log_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "identity_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"route_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"methods" varchar(40)[] NOT NULL,
	"reported_result" varchar(10) NOT NULL,
	"passed" boolean NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"courier_ref" varchar(100) NOT NULL,
	"lng" double precision NOT NULL,
	"lat" double precision NOT NULL,
	"accuracy_metres" integer NOT NULL,
	"distance_metres" integer NOT NULL,
	"flagged_for_review" boolean NOT NULL,
	"reviewed_at" timestamp with time zone,
	"reviewed_by_staff_id" uuid,
	"old_document_collected" boolean NOT NULL,
	"recipient_confirmed" boolean NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_checks_accuracy" CHECK ("identity_checks"."accuracy_metres" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inbound_courier_events" (
	"company_id" uuid NOT NULL,
	"event_id" varchar(100) NOT NULL,
	"type" varchar(40) NOT NULL,
	"route_id" uuid,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" varchar(40) NOT NULL,
	CONSTRAINT "inbound_courier_events_company_id_event_id_pk" PRIMARY KEY("company_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "route_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"route_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"shift_id" uuid NOT NULL,
	"status" "route_offer_status" DEFAULT 'open' NOT NULL,
	"offered_at" timestamp with time zone NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"decline_reason" varchar(500)
);
--> statement-breakpoint
CREATE TABLE "handovers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"route_id" uuid NOT NULL,
	"kind" "handover_kind" NOT NULL,
	"status" "handover_status" DEFAULT 'started' NOT NULL,
	"booking_ids" uuid[] NOT NULL,
	"courier_name" varchar(200) NOT NULL,
	"courier_ref" varchar(100) NOT NULL,
	"started_by_staff_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"confirmed_by_staff_id" uuid,
	"confirmed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "pin_letter_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "custody_holder" "custody_holder";--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "courier_company_id" uuid;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "dispatch_status" "route_dispatch_status" DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "handed_over_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD COLUMN "unstaffed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "custody_log" ADD CONSTRAINT "custody_log_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_courier_events" ADD CONSTRAINT "inbound_courier_events_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_offers" ADD CONSTRAINT "route_offers_route_id_plan_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."plan_routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_offers" ADD CONSTRAINT "route_offers_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_offers" ADD CONSTRAINT "route_offers_shift_id_courier_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."courier_shifts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_route_id_plan_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."plan_routes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "custody_log_booking_idx" ON "custody_log" USING btree ("booking_id","seq");--> statement-breakpoint
CREATE INDEX "identity_checks_booking_idx" ON "identity_checks" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "identity_checks_review_idx" ON "identity_checks" USING btree ("checked_at") WHERE "identity_checks"."flagged_for_review" and "identity_checks"."reviewed_at" is null;--> statement-breakpoint
CREATE INDEX "inbound_courier_events_route_idx" ON "inbound_courier_events" USING btree ("route_id");--> statement-breakpoint
CREATE UNIQUE INDEX "route_offers_open_uq" ON "route_offers" USING btree ("route_id") WHERE "route_offers"."status" = 'open';--> statement-breakpoint
CREATE INDEX "route_offers_company_idx" ON "route_offers" USING btree ("company_id","offered_at");--> statement-breakpoint
CREATE INDEX "route_offers_deadline_idx" ON "route_offers" USING btree ("deadline") WHERE "route_offers"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "handovers_open_uq" ON "handovers" USING btree ("route_id","kind") WHERE "handovers"."status" = 'started';--> statement-breakpoint
CREATE INDEX "handovers_route_idx" ON "handovers" USING btree ("route_id");--> statement-breakpoint
ALTER TABLE "plan_routes" ADD CONSTRAINT "plan_routes_courier_company_id_courier_companies_id_fk" FOREIGN KEY ("courier_company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plan_routes_company_idx" ON "plan_routes" USING btree ("courier_company_id","starts_at");
--> statement-breakpoint
-- The custody log is append-only, like the audit log: a change or removal is refused.
CREATE OR REPLACE FUNCTION custody_log_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'custody_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER custody_log_append_only
  BEFORE UPDATE OR DELETE ON custody_log
  FOR EACH ROW EXECUTE FUNCTION custody_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER custody_log_no_truncate
  BEFORE TRUNCATE ON custody_log
  FOR EACH STATEMENT EXECUTE FUNCTION custody_log_reject_change();
--> statement-breakpoint
-- Documents scanned in before custody was recorded are in the office.
UPDATE bookings SET custody_holder = 'office' WHERE status IN ('document_ready', 'planned');
--> statement-breakpoint
-- Confirmed plans of earlier versions: their routes are dispatched by hand, as before.
UPDATE plan_routes SET dispatch_status = 'accepted'
  WHERE plan_id IN (SELECT id FROM plans WHERE status = 'confirmed');

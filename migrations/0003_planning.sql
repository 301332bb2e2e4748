CREATE TYPE "public"."plan_status" AS ENUM('queued', 'running', 'draft', 'failed', 'confirmed', 'superseded');--> statement-breakpoint
CREATE TABLE "courier_shifts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"delivery_date" date NOT NULL,
	"vehicle_type" "vehicle_type" NOT NULL,
	"vehicle_count" integer NOT NULL,
	"capacity" integer NOT NULL,
	"shift_start" timestamp with time zone NOT NULL,
	"shift_end" timestamp with time zone NOT NULL,
	"max_distance_metres" integer,
	"created_by_staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "courier_shifts_count" CHECK ("courier_shifts"."vehicle_count" between 1 and 50),
	CONSTRAINT "courier_shifts_capacity" CHECK ("courier_shifts"."capacity" between 1 and 500),
	CONSTRAINT "courier_shifts_window" CHECK ("courier_shifts"."shift_end" > "courier_shifts"."shift_start"),
	CONSTRAINT "courier_shifts_range" CHECK ("courier_shifts"."max_distance_metres" is null or "courier_shifts"."max_distance_metres" > 0)
);
--> statement-breakpoint
CREATE TABLE "plan_routes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"vehicle_id" varchar(100) NOT NULL,
	"vehicle_type" "vehicle_type" NOT NULL,
	"shift_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"distance_metres" integer NOT NULL,
	"duration_seconds" integer NOT NULL,
	"travel_seconds" integer NOT NULL,
	"geometry" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_stops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"route_id" uuid NOT NULL,
	"booking_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"location" jsonb NOT NULL,
	"planned_arrival" timestamp with time zone NOT NULL,
	"service_start" timestamp with time zone NOT NULL,
	"departure" timestamp with time zone NOT NULL,
	"announced_start" timestamp with time zone NOT NULL,
	"announced_end" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"delivery_date" date NOT NULL,
	"status" "plan_status" NOT NULL,
	"job_id" varchar(200),
	"progress" jsonb,
	"stats" jsonb,
	"unassigned" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"requested_by_staff_id" uuid,
	"confirmed_by_staff_id" uuid,
	"confirmed_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "courier_shifts" ADD CONSTRAINT "courier_shifts_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD CONSTRAINT "plan_routes_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_routes" ADD CONSTRAINT "plan_routes_shift_id_courier_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."courier_shifts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_stops" ADD CONSTRAINT "plan_stops_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_stops" ADD CONSTRAINT "plan_stops_route_id_plan_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."plan_routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_stops" ADD CONSTRAINT "plan_stops_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "courier_shifts_office_date_idx" ON "courier_shifts" USING btree ("office_id","delivery_date");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_routes_plan_seq_uq" ON "plan_routes" USING btree ("plan_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_stops_plan_booking_uq" ON "plan_stops" USING btree ("plan_id","booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_stops_route_seq_uq" ON "plan_stops" USING btree ("route_id","sequence");--> statement-breakpoint
CREATE INDEX "plan_stops_booking_idx" ON "plan_stops" USING btree ("booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plans_current_uq" ON "plans" USING btree ("office_id","delivery_date") WHERE "plans"."status" <> 'superseded';--> statement-breakpoint
CREATE INDEX "plans_office_date_idx" ON "plans" USING btree ("office_id","delivery_date","created_at");
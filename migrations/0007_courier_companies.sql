CREATE TYPE "public"."courier_company_status" AS ENUM('active', 'suspended');--> statement-breakpoint
CREATE TABLE "courier_api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"prefix" varchar(24) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "courier_api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "courier_companies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"vehicle_types" "vehicle_type"[] NOT NULL,
	"zone_ids" uuid[] NOT NULL,
	"price_per_delivery_cents" integer NOT NULL,
	"price_per_failed_attempt_cents" integer NOT NULL,
	"contact_name" varchar(200) NOT NULL,
	"contact_email" varchar(254) NOT NULL,
	"contact_phone" varchar(30),
	"webhook_url" varchar(2048),
	"status" "courier_company_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "courier_companies_prices" CHECK ("courier_companies"."price_per_delivery_cents" >= 0 and "courier_companies"."price_per_failed_attempt_cents" >= 0),
	CONSTRAINT "courier_companies_vehicles" CHECK (cardinality("courier_companies"."vehicle_types") > 0)
);
--> statement-breakpoint
CREATE TABLE "courier_signing_secrets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"secret" varchar(100) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"retires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "courier_shifts" ADD COLUMN "courier_company_id" uuid;--> statement-breakpoint
ALTER TABLE "courier_api_keys" ADD CONSTRAINT "courier_api_keys_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courier_signing_secrets" ADD CONSTRAINT "courier_signing_secrets_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "courier_api_keys_company_idx" ON "courier_api_keys" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "courier_signing_secrets_company_idx" ON "courier_signing_secrets" USING btree ("company_id");--> statement-breakpoint
ALTER TABLE "courier_shifts" ADD CONSTRAINT "courier_shifts_courier_company_id_courier_companies_id_fk" FOREIGN KEY ("courier_company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;
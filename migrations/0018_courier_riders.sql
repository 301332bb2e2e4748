CREATE TABLE "courier_rider_sessions" (
	"token_hash" varchar(64) PRIMARY KEY NOT NULL,
	"rider_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courier_riders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"username" varchar(64) NOT NULL,
	"display_name" varchar(100) NOT NULL,
	"password_hash" varchar(255) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	CONSTRAINT "courier_riders_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "courier_rider_sessions" ADD CONSTRAINT "courier_rider_sessions_rider_id_courier_riders_id_fk" FOREIGN KEY ("rider_id") REFERENCES "public"."courier_riders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courier_riders" ADD CONSTRAINT "courier_riders_company_id_courier_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."courier_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "courier_rider_sessions_rider_idx" ON "courier_rider_sessions" USING btree ("rider_id");--> statement-breakpoint
CREATE INDEX "courier_riders_company_idx" ON "courier_riders" USING btree ("company_id");
CREATE TABLE "stripe_balance_transactions" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"type" varchar(60) NOT NULL,
	"reporting_category" varchar(60) NOT NULL,
	"amount_cents" bigint NOT NULL,
	"fee_cents" bigint NOT NULL,
	"net_cents" bigint NOT NULL,
	"currency" varchar(3) NOT NULL,
	"source_id" varchar(255),
	"payout_id" varchar(255),
	"status" varchar(20) NOT NULL,
	"available_on" timestamp with time zone NOT NULL,
	"stripe_created_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_payouts" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"amount_cents" bigint NOT NULL,
	"currency" varchar(3) NOT NULL,
	"status" varchar(20) NOT NULL,
	"automatic" boolean NOT NULL,
	"arrival_date" timestamp with time zone NOT NULL,
	"failure_code" varchar(100),
	"balance_transaction_id" varchar(255),
	"reconciliation_status" varchar(20),
	"stripe_created_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "stripe_bt_source_idx" ON "stripe_balance_transactions" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "stripe_bt_payout_idx" ON "stripe_balance_transactions" USING btree ("payout_id");--> statement-breakpoint
CREATE INDEX "stripe_bt_created_idx" ON "stripe_balance_transactions" USING btree ("stripe_created_at");--> statement-breakpoint
CREATE INDEX "stripe_payouts_created_idx" ON "stripe_payouts" USING btree ("stripe_created_at");
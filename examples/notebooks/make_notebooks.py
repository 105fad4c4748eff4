"""Write the four example notebooks (without outputs) from the cells below.

The .ipynb files are committed; edit the cells here and rerun

    python examples/notebooks/make_notebooks.py

so that the notebooks stay reviewable as plain Python in one place. CI executes the
notebooks top to bottom (tests/python/test_notebooks.py).
"""

# ruff: noqa: E501  (cell sources; ruff format wraps them in the written notebooks)
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


def setup(*imports: str):
    """The first code cell: imports the notebook uses, display options, versions."""
    lines = [*imports, "", "import marketlearn", ""]
    lines += [
        'pd.set_option("display.precision", 3)',
        'pd.set_option("display.width", 120)',
        'print("marketlearn", marketlearn.__version__, "| SIMD:", marketlearn.simd_info()["arch"])',
    ]
    return code("\n".join(lines))


PLT, PD = "import matplotlib.pyplot as plt", "import pandas as pd"


CHURN = [
    md("""
# Churn: who is about to leave, and whom should we call?

A telecom operator loses about a quarter of its customers every period. The retention
team can call only a fraction of the base. This notebook builds a churn model on IBM's
**Telco Customer Churn** data (bundled with marketlearn), checks that it ranks customers
well, and turns it into a call list with the reasons behind each risk.
"""),
    setup(PLT, PD),
    md("""
## 1. The customers

7,043 customers, 19 attributes (contract, services, charges, tenure) and whether they
churned. `load_telco_churn` returns pandas objects indexed by `customerID`.
"""),
    code("""
from marketlearn.datasets import load_telco_churn

X, y = load_telco_churn(return_X_y=True)
print(f"{len(X):,} customers, churn rate {y.mean():.1%}")
X.head()
"""),
    md("""
Month-to-month customers churn far more often than customers on a contract: a first hint
of what the model will find.
"""),
    code("""
y.groupby(X["Contract"]).agg(["mean", "size"]).rename(columns={"mean": "churn rate", "size": "customers"})
"""),
    md("""
## 2. A churn model

Text columns are one-hot encoded and numbers standardized (scikit-learn's
`ColumnTransformer`), then `ChurnClassifier` fits an L2-regularized logistic regression
on marketlearn's C++ optimizers. `verbose=1` shows a progress bar with the current loss;
`early_stopping=True` holds out 10 % of the training rows and records a validation score
per epoch.
"""),
    code("""
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from marketlearn import ChurnClassifier

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)

prep = ColumnTransformer(
    [
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), make_column_selector(dtype_exclude="number")),
        ("num", StandardScaler(), make_column_selector(dtype_include="number")),
    ],
    verbose_feature_names_out=False,
)
model = make_pipeline(
    prep,
    ChurnClassifier(optimizer="adam", alpha=1e-4, max_iter=60, early_stopping=True, random_state=0, verbose=1),
)
model.fit(X_train, y_train)
churn_probability = model.predict_proba(X_test)[:, 1]
print(f"test AUC {roc_auc_score(y_test, churn_probability):.3f}")
"""),
    md("""
The training loss falls within a couple of epochs. The validation accuracy (orange, on
the held-out 10 %) peaks early and then only fluctuates, so early stopping ends the fit
`n_iter_no_change=5` epochs later instead of running all 60: the progress bar above stops
short of its total for that reason.
"""),
    code("""
from marketlearn.plotting import plot_convergence

plot_convergence(model[-1]);
"""),
    md("""
## 3. Does the model rank churners first? Gains and lift

The retention budget covers, say, 20 % of customers. The **gains chart** shows which share
of all churners we reach by calling the top-scored 20 %, 30 %, ...; the **lift chart**
how many times more churners each decile holds than a random call list.
"""),
    code("""
from marketlearn.metrics import gains_table, lift_score
from marketlearn.plotting import plot_gains, plot_lift

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
plot_gains(y_test, churn_probability, ax=axes[0], label="ChurnClassifier")
plot_lift(y_test, churn_probability, ax=axes[1])
plt.show()
print(f"lift in the top 20 %: {lift_score(y_test, churn_probability, fraction=0.2):.2f}x")
gains_table(y_test, churn_probability)
"""),
    md("""
## 4. What drives churn?

The pipeline keeps feature names: `get_feature_names_out` of the preprocessing names every
coefficient. Positive coefficients raise the churn risk.
"""),
    code("""
drivers = pd.Series(model[-1].coef_.ravel(), index=model[:-1].get_feature_names_out(), name="coefficient")
drivers.sort_values(key=abs, ascending=False).head(10).to_frame()
"""),
    md("""
## 5. The call list

The 10 customers with the highest churn risk in the test set, with what they pay and how
long they have been customers: the retention team's first calls.
"""),
    code("""
call_list = X_test.assign(churn_probability=churn_probability).sort_values("churn_probability", ascending=False)
call_list[["churn_probability", "Contract", "tenure", "MonthlyCharges", "InternetService", "PaymentMethod"]].head(10)
"""),
    md("""
**Takeaway.** Calling the top-scored fifth of the base reaches about half of the
churners, roughly 2.4 times what a random call list of the same size would reach. Tenure
and two-year contracts protect most; the highest-risk customers above are all new,
month-to-month, fiber-optic customers paying by electronic check: the retention offer
should push them onto a contract.
"""),
]

SEGMENTATION = [
    md("""
# Segmentation: who are our customers?

An online gift retailer wants to tailor its campaigns. We describe every customer by
**R**ecency, **F**requency and **M**onetary value (RFM), let marketlearn choose the number
of segments, and read the segment profiles like a marketer. Data: the France and Germany
customers of UCI's **Online Retail** data set (bundled).
"""),
    setup(PLT, PD),
    md("""
## 1. Transactions to RFM

One row per invoice line. `rfm_table` counts orders per customer (by invoice), leaves out
cancellations (invoices starting with "C"), and returns a DataFrame indexed by customer.
"""),
    code("""
from marketlearn import rfm_table
from marketlearn.datasets import load_online_retail

lines = load_online_retail()
lines["amount"] = lines["Quantity"] * lines["UnitPrice"]  # GBP
print(f"{len(lines):,} invoice lines, {lines['CustomerID'].nunique()} customers")
rfm = rfm_table(lines.dropna(subset=["CustomerID"]), customer_col="CustomerID", date_col="InvoiceDate",
                amount_col="amount", invoice_col="InvoiceNo")
rfm.describe().loc[["mean", "50%", "max"]]
"""),
    md("""
## 2. How many segments?

`CustomerSegmenter` log-transforms the skewed counts and spend, standardizes, and tries
k = 2 ... 8 with the silhouette criterion. `plot_elbow` shows the score of every k with
the chosen one marked.
"""),
    code("""
from marketlearn import CustomerSegmenter
from marketlearn.plotting import plot_elbow

segmenter = CustomerSegmenter(k_range=range(2, 9), log_features=["frequency", "monetary"], random_state=0)
segments = segmenter.fit_predict(rfm)
print("segments chosen:", segmenter.n_segments_)
plot_elbow(segmenter)
plt.show()
"""),
    md("""
## 3. Segment profiles

Profiles are in plain units (days, orders, GBP). The heat map colours each mean as an
index against the average customer (100): red is above average, blue below.
"""),
    code("""
from marketlearn.plotting import plot_segment_profiles

profiles = segmenter.segment_profiles_
plot_segment_profiles(segmenter)
plt.show()
profiles
"""),
    md("""
A one-line description per segment, from the profile against the average customer,
gives the campaign team names they can act on.
"""),
    code("""
average = rfm.mean()

def describe(p):
    return ", ".join([
        "recent" if p["recency"] <= average["recency"] else "lapsed",
        "frequent" if p["frequency"] > average["frequency"] else "occasional",
        "high spend" if p["monetary"] > average["monetary"] else "low spend",
    ])

profiles.assign(description=profiles.apply(describe, axis=1))[["size", "share", "description"]]
"""),
    md("""
## 4. Does it scale? A synthetic base of 200,000 customers

`make_customers` generates a customer base with known latent segments. The same
segmenter, with a fixed number of segments, handles it in seconds; the adjusted Rand index
compares the found segments with the true ones (1 = identical).
"""),
    code("""
import time

from sklearn.metrics import adjusted_rand_score

from marketlearn.datasets import make_customers

base = make_customers(200_000, n_segments=4, random_state=1)
features = ["recency_days", "orders_12m", "monetary_12m", "tenure_months"]
start = time.perf_counter()
big = CustomerSegmenter(n_segments=4, log_features="all", n_init=3, random_state=0)
big.fit(base[features])
seconds = time.perf_counter() - start
ari = adjusted_rand_score(base["true_segment"], big.labels_)
print(f"fit on {len(base):,} customers in {seconds:.1f} s; adjusted Rand index vs. truth {ari:.2f}")
plot_segment_profiles(big);
"""),
]

LEADS = [
    md("""
# Lead scoring: whom should the call centre phone first?

A Portuguese bank phones clients to sell term deposits; about 11 % subscribe. With a lead
score the call centre phones the most promising clients first. Data: UCI's **Bank
Marketing** (bank-additional-full, bundled). The call `duration` is dropped: it is only
known after the call, so a model that used it would look great and be useless.
"""),
    setup(PLT, PD),
    code("""
from sklearn.model_selection import train_test_split

from marketlearn.datasets import load_bank_marketing

X, y = load_bank_marketing(return_X_y=True, drop_duration=True)
print(f"{len(X):,} calls, {y.mean():.1%} subscribed, {X.shape[1]} features")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
X.head()
"""),
    md("""
## 1. Fit a lead scorer

`LeadScorer` encodes text columns and scales numbers itself (DataFrame in), then fits a
regularized logistic regression. `get_feature_names_out` names the encoded features.
"""),
    code("""
from sklearn.metrics import roc_auc_score

from marketlearn import LeadScorer

scorer = LeadScorer(alpha=1e-4).fit(X_train, y_train)
p = scorer.predict_proba(X_test)[:, 1]
n_features = len(scorer.get_feature_names_out())
print(f"test AUC {roc_auc_score(y_test, p):.3f}; {n_features} encoded features")
"""),
    md("""
## 2. Gains and lift

The gains table is a DataFrame, best decile first; the charts show the same information.
"""),
    code("""
from marketlearn.metrics import gains_table
from marketlearn.plotting import plot_gains, plot_lift

table = gains_table(y_test, p)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
plot_gains(y_test, p, ax=axes[0], label="LeadScorer")
plot_lift(y_test, p, ax=axes[1])
plt.show()
table[["count", "positives", "rate", "cumulative_gain", "lift", "cumulative_lift"]]
"""),
    md("""
## 3. How far down the list should we call?

Suppose a call costs EUR 5 and a subscription is worth EUR 60 to the bank. Calling the
deciles in score order, profit peaks where the marginal decile's conversion rate no longer
pays for its calls.
"""),
    code("""
COST_PER_CALL, VALUE_PER_SALE = 5.0, 60.0
campaign = table.assign(
    calls=table["count"].cumsum(),
    profit=(table["cumulative_positives"] * VALUE_PER_SALE - table["count"].cumsum() * COST_PER_CALL),
)
best = campaign["profit"].idxmax()
ax = campaign["profit"].plot(marker="o", title="Campaign profit by deciles called", xlabel="deciles called (best first)", ylabel="profit (EUR)")
ax.axvline(best, color="tab:red", linestyle="--")
plt.show()
calls, profit = campaign.loc[best, "calls"], campaign.loc[best, "profit"]
print(f"call the top {best} deciles ({calls:,} calls): profit EUR {profit:,.0f}, "
      f"vs. EUR {campaign['profit'].iloc[-1]:,.0f} for calling everyone")
"""),
    md("""
## 4. Today's call list, with reasons

`rank_leads` returns the ranked list as a DataFrame (score 0-100, probability, rank);
`explain` gives each lead's strongest reasons (log-odds contributions).
"""),
    code("""
top = scorer.rank_leads(X_test, top=10)
reasons = scorer.explain(X_test.loc[top.index], top_n=3)
top.join(X_test[["age", "job", "contact", "month", "poutcome"]])
"""),
    code("""
reasons.head(9)
"""),
]

LTV = [
    md("""
# Customer lifetime value: what is each customer worth?

An online CD store (CDNOW, 1997-98) wants to know which customers are still active and
how much each will spend next year. The **BG/NBD** model predicts purchases from each
customer's history (frequency, recency, age); **Gamma-Gamma** predicts the value per
purchase. Data: the CDNOW sample of Fader, Hardie & Lee (2005), bundled.
"""),
    setup(PLT, PD),
    md("""
## 1. Transactions to customer summaries

The model is calibrated on purchases up to 1997-09-30 and checked on the following 39
weeks. Time unit: weeks.
"""),
    code("""
from marketlearn.clv import calibration_and_holdout_data
from marketlearn.datasets import load_cdnow

log = load_cdnow(sample=True)
data = calibration_and_holdout_data(
    log, "customer_id", "date", calibration_period_end="1997-09-30",
    observation_period_end="1998-06-30", freq="W", amount_col="dollar_value",
)
print(f"{len(log):,} purchases by {len(data):,} customers")
data.head()
"""),
    md("""
## 2. Who is still active? BG/NBD

The fit reproduces the published parameters (r 0.243, alpha 4.414, a 0.793, b 2.426).
The probability-alive matrix reads like this: a customer who bought often but not
recently (top left) has probably left; frequent and recent buyers (top right) are active.
"""),
    code("""
from marketlearn.clv import BetaGeoModel
from marketlearn.plotting import plot_probability_alive_matrix

x, tx, T = data["frequency_cal"], data["recency_cal"], data["T_cal"]
bgf = BetaGeoModel().fit(x, tx, T)
display(bgf.summary)
plot_probability_alive_matrix(bgf, max_frequency=int(x.max()), T=float(T.max()));
"""),
    md("""
Does the model predict the holdout period? Mean purchases in the 39 holdout weeks, by
number of repeat purchases in calibration:
"""),
    code("""
horizon = data["duration_holdout"]
predicted = bgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, T)
check = pd.DataFrame({"repeat purchases (cal.)": x.clip(upper=7), "actual": data["frequency_holdout"], "predicted": predicted})
ax = check.groupby("repeat purchases (cal.)").mean().plot(marker="o", title="Holdout purchases: actual vs. predicted (7 = 7+)")
ax.set_ylabel("mean purchases per customer");
"""),
    md("""
## 3. Value per purchase and 12-month CLV

Gamma-Gamma is fitted on returning customers; combined with BG/NBD it gives a discounted
12-month CLV per customer, as a DataFrame ready for a CRM export.
"""),
    code("""
from marketlearn.clv import GammaGammaModel

returning = data[x > 0]
ggf = GammaGammaModel().fit(returning["frequency_cal"], returning["monetary_value_cal"])
display(ggf.summary)
clv = pd.DataFrame({
    "frequency": x,
    "recency": tx,
    "T": T,
    "p_alive": bgf.conditional_probability_alive(x, tx, T),
    "purchases_52w": bgf.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T),
    "clv_12m": ggf.customer_lifetime_value(bgf, x, tx, T, data["monetary_value_cal"], time=12, discount_rate=0.01, freq="W"),
})
clv.sort_values("clv_12m", ascending=False).head(10)
"""),
    md("""
## 4. Does the CLV ranking find the valuable customers?

The Lorenz curve orders customers by predicted CLV and accumulates their **actual**
holdout spend; the further it bows below the diagonal, the better the ranking (Gini,
oracle = ranking by the actual spend itself).
"""),
    code("""
from marketlearn.plotting import plot_lorenz

actual_spend = data["frequency_holdout"] * data["monetary_value_holdout"]
plot_lorenz(actual_spend, clv["clv_12m"], label="BG/NBD + Gamma-Gamma")
plt.show()
top = clv["clv_12m"].rank(ascending=False) <= 0.2 * len(clv)
share = actual_spend[top].sum() / actual_spend.sum()
print(f"the top 20 % by predicted CLV made {share:.0%} of the holdout spend")
"""),
]

NOTEBOOKS = {
    "churn.ipynb": CHURN,
    "segmentation.ipynb": SEGMENTATION,
    "lead_scoring.ipynb": LEADS,
    "ltv.ipynb": LTV,
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)
    # Keep the notebooks' code in the project's style (line length, quotes).
    if shutil.which("ruff"):
        subprocess.run(
            ["ruff", "format", "--quiet", *(str(HERE / n) for n in NOTEBOOKS)], check=True
        )


if __name__ == "__main__":
    main()

"""The framework floor for `python -m earlyhelp bench --browser`: a bare Streamlit page with one
filter and one Plotly chart, no data work. The app's times are compared with this page's."""

import plotly.graph_objects as go
import streamlit as st

district = st.selectbox("District", ["All districts", "North", "East", "South", "West"])
months = [f"2025-{m:02d}-01" for m in range(1, 13)]
values = [100 + (len(district) * m) % 37 for m in range(12)]
figure = go.Figure(go.Scatter(x=months, y=values, mode="lines"))
figure.update_layout(title=f"Referrals per month, {district}")
st.plotly_chart(figure)

import streamlit as st

st.info("建设中")

export const App = () => <h1>Loyaltea console</h1>

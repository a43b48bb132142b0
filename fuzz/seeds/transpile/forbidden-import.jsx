import _ from 'lodash';
export default () => <p>{_.identity(1)}</p>;
